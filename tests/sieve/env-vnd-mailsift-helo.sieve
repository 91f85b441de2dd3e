require ["environment", "variables", "fileinto"];
if environment :matches "vnd.mailsift.helo" "*" {
  fileinto "helo-${1}";
}
