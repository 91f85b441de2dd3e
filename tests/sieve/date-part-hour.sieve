require ["date", "variables", "fileinto"];
if date :originalzone :matches "date" "hour" "*" {
  fileinto "hour=${1}";
}
