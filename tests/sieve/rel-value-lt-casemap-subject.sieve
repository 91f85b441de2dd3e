require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :value "lt" "Subject" "b" {
  fileinto "yes";
}
