require ["index", "date", "variables", "fileinto"];
if header :index 4 :matches "received" "*" {
  fileinto "yes";
}
