require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :value "ne" :comparator "i;ascii-numeric" "X-Spam-Score" "7" {
  fileinto "yes";
}
