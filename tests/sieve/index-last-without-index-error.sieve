require ["index", "date", "variables", "fileinto"];
if header :last "received" "x" {
  fileinto "yes";
}
