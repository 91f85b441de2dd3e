require ["fileinto", "variables"];
set "foo.bar" "x";
