require ["date", "variables", "fileinto"];
if date :originalzone :matches "date" "minute" "*" {
  fileinto "minute=${1}";
}
