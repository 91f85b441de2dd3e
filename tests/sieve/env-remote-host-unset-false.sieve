require ["environment", "variables", "fileinto"];
if environment :matches "remote-host" "*" {
  fileinto "wrong";
}
