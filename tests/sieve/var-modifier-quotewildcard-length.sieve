require ["fileinto", "variables"];
set :length :quotewildcard "b" "a*b?";
fileinto "n${b}";
