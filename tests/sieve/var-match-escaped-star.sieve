require ["fileinto", "variables"];
if header :matches "X-Path" "a\\**" {
  fileinto "${1}";
}
