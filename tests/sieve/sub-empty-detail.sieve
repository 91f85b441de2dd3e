require ["subaddress", "fileinto", "variables"];
if address :detail :is "to" "" {
  fileinto "yes";
}
