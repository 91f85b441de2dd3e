require ["fileinto", "variables"];
if header :matches "Subject" "?uarter?y *" {
  fileinto "${1}${2}-${3}";
}
