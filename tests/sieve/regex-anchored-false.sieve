require ["regex", "fileinto", "variables"];
if header :regex "Subject" "^report$" {
  fileinto "yes";
}
