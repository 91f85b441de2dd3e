require ["date", "variables", "fileinto"];
if date :originalzone :matches "received" "iso8601" "*" {
  fileinto "${1}";
}
