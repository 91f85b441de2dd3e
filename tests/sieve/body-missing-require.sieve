require "fileinto";
if body :contains "x" {
  fileinto "yes";
}
