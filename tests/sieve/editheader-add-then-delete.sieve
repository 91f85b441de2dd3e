require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
addheader "X-Temp" "1";
deleteheader "X-Temp";
if not exists "X-Temp" {
  fileinto "removed";
}
