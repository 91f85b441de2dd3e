require ["fileinto", "variables"];
set "a" "juMBlEd lETteRS";
set :length "b" "${a}";
fileinto "${b}";
