require ["subaddress", "fileinto"];
if address :user :domain "to" "bob" {
  fileinto "yes";
}
