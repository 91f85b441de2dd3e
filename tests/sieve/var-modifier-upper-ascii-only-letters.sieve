require ["fileinto", "variables"];
set :upper "u" "bob+lists@example-2.org";
fileinto "${u}";
