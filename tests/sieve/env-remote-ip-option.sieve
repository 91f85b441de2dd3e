require ["environment", "variables", "fileinto"];
if environment :matches "remote-ip" "192.0.2.*" {
  fileinto "doc-net-${1}";
}
