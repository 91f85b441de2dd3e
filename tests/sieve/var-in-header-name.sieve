require ["fileinto", "variables"];
set "h" "subject";
if header :contains "${h}" "report" {
  fileinto "by-name";
}
