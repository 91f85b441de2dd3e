require ["environment", "variables", "fileinto"];
if environment :matches "name" "?*" {
  fileinto "has-name";
}
