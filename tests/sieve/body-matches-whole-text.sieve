require ["body", "fileinto"];
if body :text :matches "*Plain part:*" {
  fileinto "yes";
}
