require ["relational", "fileinto"];
if header :is :value "eq" "X-Spam-Score" "1" {
  fileinto "yes";
}
