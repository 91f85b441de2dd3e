require ["body", "fileinto"];
if body :content "text/html" :contains "budget" {
  fileinto "yes";
}
