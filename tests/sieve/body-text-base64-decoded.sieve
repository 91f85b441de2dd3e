require ["body", "fileinto"];
if body :text :contains "decoded words" {
  fileinto "yes";
}
