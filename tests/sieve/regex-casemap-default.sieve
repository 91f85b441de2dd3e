require ["regex", "fileinto", "variables"];
if header :regex "Subject" "^quarterly" {
  fileinto "yes";
}
