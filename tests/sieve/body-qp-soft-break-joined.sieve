require ["body", "fileinto"];
if body :text :contains "supercalifragilistic" {
  fileinto "yes";
}
