require "fileinto";
if environment :is "location" "MDA" {
  fileinto "x";
}
