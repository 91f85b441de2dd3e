require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
deleteheader :contains "X-Tag" "spam";
if header :count "eq" :comparator "i;ascii-numeric" "X-Tag" "1" {
  if header :matches "X-Tag" "*" { fileinto "left-${1}"; }
}
