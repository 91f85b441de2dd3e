require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
deleteheader "X-Spam-Flag";
if not exists "X-Spam-Flag" {
  fileinto "gone";
}
