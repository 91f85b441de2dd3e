require ["index", "date", "variables", "fileinto"];
if date :index 2 :originalzone :matches "received" "time" "*" {
  fileinto "${1}";
}
