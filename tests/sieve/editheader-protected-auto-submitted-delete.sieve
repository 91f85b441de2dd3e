require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
deleteheader "Auto-Submitted";
if exists "Auto-Submitted" {
  fileinto "auto-submitted-kept";
}
