require ["fileinto", "variables"];
if header :matches "Subject" "*" {
  fileinto "a${5}b${9}c";
}
