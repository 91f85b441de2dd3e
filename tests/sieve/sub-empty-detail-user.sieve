require ["subaddress", "fileinto", "variables"];
if address :user :is "to" "bob" {
  fileinto "yes";
}
