require ["fileinto", "variables"];
set :length "n" "été ☃";
fileinto "len${n}";
