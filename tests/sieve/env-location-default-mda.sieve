require ["environment", "variables", "fileinto"];
if environment :is "location" "MDA" {
  fileinto "at-mda";
}
