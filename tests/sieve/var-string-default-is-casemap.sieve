require ["fileinto", "variables"];
set "x" "ABC";
if string "${x}" "abc" {
  fileinto "casemap";
}
