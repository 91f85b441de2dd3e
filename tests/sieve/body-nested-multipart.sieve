require ["body", "fileinto"];
if body :content "text/plain" :contains "nested plain" {
  fileinto "yes";
}
