require ["regex", "fileinto", "variables"];
if header :regex "Subject" "a(b" {
  fileinto "yes";
}
