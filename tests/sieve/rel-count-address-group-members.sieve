require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if address :count "eq" :comparator "i;ascii-numeric" "To" "3" {
  fileinto "yes";
}
