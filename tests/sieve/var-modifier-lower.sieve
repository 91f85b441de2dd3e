require ["fileinto", "variables"];
set "a" "juMBlEd lETteRS";
set :lower "b" "${a}";
fileinto "${b}";
