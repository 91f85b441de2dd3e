require ["date", "variables", "fileinto"];
if date :originalzone :matches "date" "time" "*" {
  fileinto "time=${1}";
}
