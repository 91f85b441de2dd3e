require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
deleteheader "X-Tag" ["one", "three"];
if header :matches "X-Tag" "*" {
  fileinto "left-${1}";
}
