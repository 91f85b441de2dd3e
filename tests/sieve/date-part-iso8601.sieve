require ["date", "variables", "fileinto"];
if date :originalzone :matches "date" "iso8601" "*" {
  fileinto "iso8601=${1}";
}
