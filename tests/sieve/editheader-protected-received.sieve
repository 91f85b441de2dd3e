require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
deleteheader "Received";
if header :count "eq" :comparator "i;ascii-numeric" "Received" "1" {
  fileinto "received-kept";
}
