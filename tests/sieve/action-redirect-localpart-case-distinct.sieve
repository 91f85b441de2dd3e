redirect "carol@example.net";
redirect "Carol@example.net";
