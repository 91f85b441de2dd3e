require ["fileinto", "variables"];
if header :matches "Subject" "* aus *" {
  fileinto "${2}";
}
