require ["fileinto", "variables"];
set "a" "juMBlEd lETteRS";
set :lowerfirst "b" "${a}";
fileinto "${b}";
