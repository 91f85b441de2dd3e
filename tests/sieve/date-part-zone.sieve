require ["date", "variables", "fileinto"];
if date :originalzone :matches "date" "zone" "*" {
  fileinto "zone=${1}";
}
