require ["fileinto", "variables"];
if header :matches "Subject" "Q*ly*" {
  fileinto "${0}|${1}|${2}";
}
