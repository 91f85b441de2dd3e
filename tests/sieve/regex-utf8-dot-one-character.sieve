require ["regex", "fileinto", "variables"];
if header :regex "Subject" "^Caf.( |$)" {
  fileinto "yes";
}
