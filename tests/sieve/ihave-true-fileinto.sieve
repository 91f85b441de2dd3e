require "ihave";
if ihave "fileinto" {
  fileinto "Filed";
}
