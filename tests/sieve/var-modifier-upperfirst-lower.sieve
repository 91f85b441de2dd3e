require ["fileinto", "variables"];
set "a" "juMBlEd lETteRS";
set :upperfirst :lower "b" "${a}";
fileinto "${b}";
