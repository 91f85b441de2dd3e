require ["fileinto", "variables"];
if header :matches "subject" "Quarterly *" {
  set "rest" "${1}";
  fileinto "Q/${rest}";
}
if header :is "x-missing" "" { discard; }
