require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :value "gt" "X-Spam-Score" "5" {
  fileinto "yes";
}
