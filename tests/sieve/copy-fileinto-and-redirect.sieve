require ["fileinto", "copy"];
fileinto :copy "Archive";
redirect :copy "carol@example.net";
