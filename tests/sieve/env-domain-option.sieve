require ["environment", "variables", "fileinto"];
if environment :is "domain" "example.org" {
  fileinto "our-domain";
}
