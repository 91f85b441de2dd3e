require ["body", "fileinto"];
if body :text :contains "über" {
  fileinto "yes";
}
