require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :value "eq" :comparator "i;ascii-numeric" "X-Spam-Score" "none" {
  fileinto "yes";
}
