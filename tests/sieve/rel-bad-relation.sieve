require ["relational", "fileinto"];
if header :value "gte" "X-Spam-Score" "1" {
  fileinto "yes";
}
