require ["body", "fileinto"];
if body :content "" :contains "Friday" {
  fileinto "yes";
}
