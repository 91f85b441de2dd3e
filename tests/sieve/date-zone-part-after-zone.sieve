require ["date", "variables", "fileinto"];
if date :zone "-0500" :matches "date" "zone" "*" {
  fileinto "zone=${1}";
}
