require ["fileinto", "variables"];
set :lowerfirst :upper "b" "hello";
fileinto "${b}";
