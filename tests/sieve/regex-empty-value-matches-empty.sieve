require ["regex", "fileinto", "variables"];
if header :regex "X-Empty" "^$" {
  fileinto "yes";
}
