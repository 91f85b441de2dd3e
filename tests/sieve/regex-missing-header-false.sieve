require ["regex", "fileinto", "variables"];
if header :regex "X-No-Such" ".*" {
  fileinto "yes";
}
