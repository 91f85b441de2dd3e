require ["variables", "regex", "fileinto"];
set :quoteregex "q" "a.b*c+d?e(f)g[h]i{j}k|l^m$n\\o";
fileinto "${q}";
