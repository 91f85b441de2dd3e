require ["index", "date", "variables", "fileinto"];
if header :index 2 :last :matches "received" "from * by *;*" {
  fileinto "${1}";
}
