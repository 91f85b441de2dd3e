require "ihave";
if ihave ["fileinto", "x-example-unknown"] {
  fileinto "Filed";
} else {
  discard;
}
