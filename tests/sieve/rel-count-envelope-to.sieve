require ["relational", "comparator-i;ascii-numeric", "fileinto", "envelope"];
if envelope :count "eq" :comparator "i;ascii-numeric" "to" "1" {
  fileinto "yes";
}
