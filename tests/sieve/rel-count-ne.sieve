require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :count "ne" :comparator "i;ascii-numeric" "Received" "2" {
  fileinto "yes";
}
