require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if anyof ( address :count "ge" :comparator "i;ascii-numeric"
                ["to"] ["3"],
        address :count "ge" :comparator "i;ascii-numeric"
                ["cc"] ["3"] ) {
  fileinto "yes";
}
