require ["regex", "fileinto", "variables"];
if header :regex "Subject" "rep.rt" {
  fileinto "yes";
}
