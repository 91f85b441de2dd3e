require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
addheader "X-Note" "Café crème";
if header :is "X-Note" "Café crème" {
  fileinto "utf8-roundtrip";
}
