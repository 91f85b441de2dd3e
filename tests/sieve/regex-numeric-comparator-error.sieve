require ["regex", "fileinto", "comparator-i;ascii-numeric"];
if header :regex :comparator "i;ascii-numeric" "Subject" "1" {
  fileinto "yes";
}
