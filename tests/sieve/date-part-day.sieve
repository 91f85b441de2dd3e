require ["date", "variables", "fileinto"];
if date :originalzone :matches "date" "day" "*" {
  fileinto "day=${1}";
}
