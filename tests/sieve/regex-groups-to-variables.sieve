require ["regex", "fileinto", "variables"];
if header :regex "Subject" "^\\[([a-z-]+)\\] (.*)$" {
  fileinto "lists.${1}";
}
