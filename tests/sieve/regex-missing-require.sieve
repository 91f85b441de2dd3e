require "fileinto";
if header :regex "Subject" "a" {
  fileinto "yes";
}
