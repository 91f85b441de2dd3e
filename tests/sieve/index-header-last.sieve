require ["index", "date", "variables", "fileinto"];
if header :index 1 :last :matches "received" "from * by *;*" {
  fileinto "${1}";
}
