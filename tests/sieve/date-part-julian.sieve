require ["date", "variables", "fileinto"];
if date :originalzone :matches "date" "julian" "*" {
  fileinto "julian=${1}";
}
