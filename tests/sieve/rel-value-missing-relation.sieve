require ["relational", "fileinto"];
if header :value "X-Spam-Score" "1" {
  fileinto "yes";
}
