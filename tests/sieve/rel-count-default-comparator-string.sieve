require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :count "gt" "Received" "10" {
  fileinto "yes";
}
