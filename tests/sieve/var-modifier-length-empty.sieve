require ["fileinto", "variables"];
set :length "n" "";
fileinto "len${n}";
