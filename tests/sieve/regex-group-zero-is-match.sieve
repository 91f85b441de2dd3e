require ["regex", "fileinto", "variables"];
if header :regex "Subject" "[0-9]+\\.[0-9]+" {
  fileinto "v${0}";
}
