require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :count "ge" :comparator "i;ascii-numeric"
       ["received", "subject"] ["3"] {
  fileinto "yes";
}
