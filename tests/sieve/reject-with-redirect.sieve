require "reject";
redirect "carol@example.net";
reject "no";
