require ["fileinto"];
if address :user "to" "bob" {
  fileinto "yes";
}
