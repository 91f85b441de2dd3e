require ["body", "fileinto"];
if body :content "text/html" :contains "Friday" {
  fileinto "yes";
}
