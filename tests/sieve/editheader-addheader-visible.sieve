require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
addheader "X-Sieved" "yes";
if header :is "X-Sieved" "yes" {
  fileinto "edited";
}
