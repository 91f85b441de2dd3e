require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
if header :matches "Subject" "*" { set "s" "${1}"; }
addheader "X-Old-Subject" "${s}";
if header :is "X-Old-Subject" "Quarterly report" {
  fileinto "copied";
}
