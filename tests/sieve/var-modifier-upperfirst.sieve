require ["fileinto", "variables"];
set "a" "juMBlEd lETteRS";
set :upperfirst "b" "${a}";
fileinto "${b}";
