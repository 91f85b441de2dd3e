require ["fileinto", "variables"];
if header :matches "Subject" "*report" { set "dummy" ""; }
if header :matches "Subject" "nomatch*" { set "dummy" "x"; }
fileinto "${1}";
