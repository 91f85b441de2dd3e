require ["fileinto", "variables"];
if header :matches "X-Path" "*/*" {
  fileinto "${1}|${2}";
}
