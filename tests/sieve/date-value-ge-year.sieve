require ["date", "relational", "fileinto"];
if date :value "ge" :originalzone "date" "year" "2000" {
  fileinto "recent";
}
