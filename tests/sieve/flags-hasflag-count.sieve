require ["imap4flags", "fileinto", "relational", "comparator-i;ascii-numeric"];
addflag ["A", "B", "C"];
if hasflag :count "ge" :comparator "i;ascii-numeric" "3" {
  fileinto "three";
}
