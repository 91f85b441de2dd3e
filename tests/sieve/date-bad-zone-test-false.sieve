require ["date", "fileinto"];
if date :zone "+25" :matches "date" "hour" "*" {
  fileinto "yes";
}
