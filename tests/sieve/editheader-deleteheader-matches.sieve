require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
deleteheader :matches "X-Tag" "*junk*";
if header :matches "X-Tag" "*" {
  fileinto "left-${1}";
}
