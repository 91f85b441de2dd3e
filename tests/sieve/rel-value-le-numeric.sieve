require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :value "le" :comparator "i;ascii-numeric" "X-Spam-Score" "12" {
  fileinto "yes";
}
