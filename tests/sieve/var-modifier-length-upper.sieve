require ["fileinto", "variables"];
set "a" "juMBlEd lETteRS";
set :length :upper "b" "${a}";
fileinto "${b}";
