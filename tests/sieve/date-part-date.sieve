require ["date", "variables", "fileinto"];
if date :originalzone :matches "date" "date" "*" {
  fileinto "date=${1}";
}
