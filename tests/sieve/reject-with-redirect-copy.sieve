require ["reject", "copy"];
redirect :copy "carol@example.net";
reject "no";
