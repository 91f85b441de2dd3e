require ["regex", "fileinto", "variables"];
if header :regex :contains "Subject" "a" {
  fileinto "yes";
}
