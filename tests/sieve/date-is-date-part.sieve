require ["date", "fileinto"];
if date :is :zone "+0200" "date" "date" "2008-04-15" {
  fileinto "that-day";
}
