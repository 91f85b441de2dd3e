require ["subaddress", "fileinto", "variables"];
if address :detail "to" "lists" {
  fileinto "yes";
}
