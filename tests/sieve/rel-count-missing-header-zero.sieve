require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :count "eq" :comparator "i;ascii-numeric" "X-No-Such-Header" "0" {
  fileinto "yes";
}
