require ["environment", "variables", "fileinto"];
if environment :is "phase" "during" {
  fileinto "during";
}
