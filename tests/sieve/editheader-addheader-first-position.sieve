require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
addheader "X-Trace" "new";
if header :index 1 :is "X-Trace" "new" {
  fileinto "new-is-first";
}
