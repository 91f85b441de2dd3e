require ["index", "date", "variables", "fileinto"];
if address :index 2 :all :matches "resent-to" "*" {
  fileinto "${1}";
}
