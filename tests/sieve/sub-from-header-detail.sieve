require ["subaddress", "fileinto", "variables"];
if address :detail "from" "news" {
  fileinto "yes";
}
