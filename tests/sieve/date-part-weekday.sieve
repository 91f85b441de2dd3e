require ["date", "variables", "fileinto"];
if date :originalzone :matches "date" "weekday" "*" {
  fileinto "weekday=${1}";
}
