require ["fileinto", "variables", "relational", "comparator-i;ascii-numeric"];
set "a" "";
set "b" "x";
if string :count "eq" :comparator "i;ascii-numeric" ["${a}", "${b}"] "1" {
  fileinto "one";
}
