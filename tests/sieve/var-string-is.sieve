require ["fileinto", "variables"];
set "x" "abc";
if string :is "${x}" "abc" {
  fileinto "same";
}
