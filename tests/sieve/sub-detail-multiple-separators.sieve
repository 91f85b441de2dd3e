require ["subaddress", "fileinto", "variables"];
if address :detail :matches "to" "*" {
  fileinto "detail-${1}";
}
if address :user :matches "to" "*" {
  fileinto "user-${1}";
}
