require ["subaddress", "fileinto", "variables"];
if address :user "to" "bob" {
  fileinto "yes";
}
