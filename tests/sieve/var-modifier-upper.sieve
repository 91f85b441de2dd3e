require ["fileinto", "variables"];
set "a" "juMBlEd lETteRS";
set :upper "b" "${a}";
fileinto "${b}";
