require ["fileinto", "variables"];
set "b";
