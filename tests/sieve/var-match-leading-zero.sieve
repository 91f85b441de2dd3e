require ["fileinto", "variables"];
if header :matches "Subject" "* *" {
  fileinto "${01}-${002}";
}
