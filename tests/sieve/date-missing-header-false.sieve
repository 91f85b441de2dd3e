require ["date", "variables", "fileinto"];
if date :originalzone :matches "x-no-such-date" "year" "*" {
  fileinto "year-${1}";
}
