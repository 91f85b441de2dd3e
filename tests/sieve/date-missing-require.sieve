require "fileinto";
if date :is "date" "year" "2008" {
  fileinto "yes";
}
