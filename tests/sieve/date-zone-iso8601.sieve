require ["date", "variables", "fileinto"];
if date :zone "+0530" :matches "date" "iso8601" "*" {
  fileinto "iso8601=${1}";
}
