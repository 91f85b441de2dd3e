require ["fileinto", "variables"];
set "company" "ACME";
fileinto "x${full}y";
