require ["date", "variables", "fileinto"];
if date :zone "+0000" :matches "date" "hour" "*" {
  fileinto "hour=${1}";
}
