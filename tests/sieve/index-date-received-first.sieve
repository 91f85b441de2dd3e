require ["index", "date", "variables", "fileinto"];
if date :index 1 :zone "+0000" :matches "received" "iso8601" "*" {
  fileinto "${1}";
}
