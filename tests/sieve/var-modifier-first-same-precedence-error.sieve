require ["fileinto", "variables"];
set :upperfirst :lowerfirst "b" "x";
