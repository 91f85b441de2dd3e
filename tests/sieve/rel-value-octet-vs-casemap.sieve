require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if allof (header :value "gt" :comparator "i;octet" "X-Tag" "B",
           not header :value "gt" "X-Tag" "B") {
  fileinto "yes";
}
