require ["body", "fileinto"];
if body :content "TEXT/HTML" :contains "budget" {
  fileinto "yes";
}
