require ["fileinto", "variables"];
set :lower :upper "b" "x";
fileinto "${b}";
