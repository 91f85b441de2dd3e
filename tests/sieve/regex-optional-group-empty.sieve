require ["regex", "fileinto", "variables"];
if header :regex "Subject" "^(Re: )?(Quarterly) (report)$" {
  fileinto "[${1}][${2}][${3}]";
}
