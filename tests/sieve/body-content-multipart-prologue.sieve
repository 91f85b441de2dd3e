require ["body", "fileinto"];
if body :content "multipart" :contains "prologue text" {
  fileinto "yes";
}
