require ["regex", "fileinto", "variables"];
if address :domain :regex "from" "^example\\.(com|net)$" {
  fileinto "yes";
}
