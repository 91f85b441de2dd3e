require ["regex", "fileinto", "variables"];
if header :regex :comparator "i;octet" "Subject" "^quarterly" {
  fileinto "yes";
}
