require ["body", "fileinto"];
if body :content ["application/pdf", "text/html"] :contains "approved" {
  fileinto "yes";
}
