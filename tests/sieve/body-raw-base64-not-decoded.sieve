require ["body", "fileinto"];
if body :raw :contains "decoded words" {
  fileinto "yes";
}
