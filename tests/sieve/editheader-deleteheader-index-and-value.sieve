require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
deleteheader :index 1 :is "X-Tag" "two";
if header :count "eq" :comparator "i;ascii-numeric" "X-Tag" "3" {
  fileinto "nothing-deleted";
}
