require ["body", "fileinto"];
if body :text :contains "secret-token" {
  fileinto "yes";
}
