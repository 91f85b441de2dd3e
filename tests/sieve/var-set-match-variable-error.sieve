require ["fileinto", "variables"];
set "1" "x";
