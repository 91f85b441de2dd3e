require ["fileinto", "variables"];
set :title "b" "x";
