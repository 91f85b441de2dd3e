require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
deleteheader :index 2 "X-Tag";
if header :matches "X-Tag" "*" { set "a" "${1}"; }
if header :index 2 :matches "X-Tag" "*" {
  fileinto "${a}+${1}";
}
