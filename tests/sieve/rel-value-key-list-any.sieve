require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :value "eq" :comparator "i;ascii-numeric" "X-Spam-Score" ["1", "3", "12"] {
  fileinto "yes";
}
