require ["index", "date", "variables", "fileinto"];
if header :index 0 "received" "x" {
  fileinto "yes";
}
