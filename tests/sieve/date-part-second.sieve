require ["date", "variables", "fileinto"];
if date :originalzone :matches "date" "second" "*" {
  fileinto "second=${1}";
}
