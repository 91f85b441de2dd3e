require ["index", "date", "variables", "fileinto"];
if date :index 1 :last :originalzone :matches "received" "date" "*" {
  fileinto "${1}";
}
