require ["environment", "variables", "fileinto"];
if environment :matches "host" "?*" {
  fileinto "has-host";
}
