require ["date", "variables", "fileinto"];
if date :originalzone :matches "date" "month" "*" {
  fileinto "month=${1}";
}
