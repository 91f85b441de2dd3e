require ["regex", "fileinto", "variables"];
if header :regex "Message-ID" "^<[0-9]{14}\\.[0-9]+@" {
  fileinto "yes";
}
