require ["fileinto", "variables"];
set "a" "juMBlEd lETteRS";
set :lower :upperfirst "b" "${a}";
fileinto "${b}";
