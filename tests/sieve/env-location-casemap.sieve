require ["environment", "variables", "fileinto"];
if environment :is "location" "mta" {
  fileinto "mta";
}
