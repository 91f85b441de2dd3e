require ["variables", "fileinto"];
set :quoteregex "q" "a.b";
fileinto "${q}";
