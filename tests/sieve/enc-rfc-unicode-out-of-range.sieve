require ["fileinto", "encoded-character"];
fileinto "a";
fileinto "${unicode:200000}";
