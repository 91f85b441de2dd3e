require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
addheader "X-Trace" "a";
addheader :last "X-Trace" "b";
if header :count "eq" :comparator "i;ascii-numeric" "X-Trace" "3" {
  fileinto "three";
}
