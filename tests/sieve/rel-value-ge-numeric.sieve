require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :value "ge" :comparator "i;ascii-numeric" "X-Spam-Score" "12" {
  fileinto "yes";
}
