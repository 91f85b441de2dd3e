require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
deleteheader "x-spam-flag";
if not exists "X-Spam-Flag" {
  fileinto "gone";
}
