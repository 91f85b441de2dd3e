require ["regex", "fileinto", "variables"];
if header :regex "Subject" "^Quarterly (report|review)$" {
  fileinto "yes";
}
