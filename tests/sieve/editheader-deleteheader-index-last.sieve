require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
deleteheader :index 1 :last "X-Tag";
if header :index 1 :last :matches "X-Tag" "*" {
  fileinto "last-now-${1}";
}
