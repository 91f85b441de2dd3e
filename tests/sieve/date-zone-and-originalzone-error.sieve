require ["date", "fileinto"];
if date :zone "+0100" :originalzone "date" "hour" "10" {
  fileinto "yes";
}
