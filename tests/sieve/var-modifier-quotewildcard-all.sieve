require ["fileinto", "variables"];
set :quotewildcard "b" "a?b*c\\d";
fileinto "${b}";
