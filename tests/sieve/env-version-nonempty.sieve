require ["environment", "variables", "fileinto"];
if environment :matches "version" "?*" {
  fileinto "has-version";
}
