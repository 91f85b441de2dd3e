require ["body", "fileinto"];
if body :content "text" :contains "password reset" {
  fileinto "yes";
}
