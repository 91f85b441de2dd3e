require ["date", "fileinto"];
if date :originalzone :matches "date" "fortnight" "*" {
  fileinto "yes";
}
