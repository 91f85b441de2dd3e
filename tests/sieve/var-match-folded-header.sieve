require ["fileinto", "variables"];
if header :matches "Subject" "Quarterly * for *" {
  fileinto "${1}-${2}";
}
