require ["variables", "regex"];
set :quoteregex :quotewildcard "q" "a.b";
