require ["fileinto", "variables"];
set :quotewildcard "b" "Rock*";
fileinto "${b}";
