require ["body", "fileinto"];
if body :raw :contains "VGhlc2UgYXJl" {
  fileinto "yes";
}
