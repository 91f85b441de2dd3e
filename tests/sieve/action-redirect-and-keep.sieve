redirect "carol@example.net";
keep;
