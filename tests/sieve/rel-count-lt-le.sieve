require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if allof (header :count "lt" :comparator "i;ascii-numeric" "Received" "3",
       header :count "le" :comparator "i;ascii-numeric" "Received" "2") {
  fileinto "yes";
}
