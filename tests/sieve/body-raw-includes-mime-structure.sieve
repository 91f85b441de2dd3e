require ["body", "fileinto"];
if body :raw :contains "--alt" {
  fileinto "yes";
}
