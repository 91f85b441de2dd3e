require ["date", "relational", "fileinto"];
if currentdate :zone "+0000" :value "lt" "year" "3000" {
  fileinto "now";
}
