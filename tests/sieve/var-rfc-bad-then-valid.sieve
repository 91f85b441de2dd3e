require ["fileinto", "variables"];
set "company" "ACME";
fileinto "${BAD${Company}";
