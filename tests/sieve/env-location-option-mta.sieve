require ["environment", "variables", "fileinto"];
if environment :matches "location" "*" {
  fileinto "location-${1}";
}
