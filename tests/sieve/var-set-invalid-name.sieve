require ["fileinto", "variables"];
set "my-var" "x";
