require ["body", "fileinto"];
if body :text :contains "sign = here" {
  fileinto "yes";
}
