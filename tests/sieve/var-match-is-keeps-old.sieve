require ["fileinto", "variables"];
if header :matches "Subject" "*report" { set "dummy" ""; }
if header :is "Subject" "Quarterly report" {
  fileinto "x${1}y";
}
