require ["date", "variables", "fileinto"];
if date :originalzone :matches "date" "year" "*" {
  fileinto "year-${1}";
}
