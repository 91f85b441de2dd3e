require ["fileinto"];
if header :count "ge" "Received" "1" {
  fileinto "yes";
}
