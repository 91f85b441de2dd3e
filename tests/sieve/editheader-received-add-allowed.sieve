require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
addheader "Received" "from filter by mx.example.org; Tue, 15 Apr 2008 10:00:00 +0200";
if header :count "eq" :comparator "i;ascii-numeric" "Received" "2" {
  fileinto "added";
}
