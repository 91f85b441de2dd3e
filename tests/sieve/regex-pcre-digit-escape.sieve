require ["regex", "fileinto", "variables"];
if header :regex "Subject" "\\d+" {
  fileinto "year-${0}";
}
