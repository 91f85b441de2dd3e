require ["fileinto", "variables"];
set "company" "ACME";
fileinto "${President, ${Company} Inc.}";
