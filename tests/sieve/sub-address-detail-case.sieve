require ["subaddress", "fileinto", "variables"];
if address :detail "to" "LISTS" {
  fileinto "yes";
}
