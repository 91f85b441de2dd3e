require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
addheader :last "X-Trace" "new";
if header :index 1 :last :is "X-Trace" "new" {
  fileinto "new-is-last";
}
