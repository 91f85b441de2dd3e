require ["date", "fileinto"];
if currentdate :originalzone "year" "2000" {
  fileinto "now";
}
