require ["subaddress", "fileinto", "variables"];
if address :detail :matches "to" "*" {
  fileinto "INBOX.${1}";
}
