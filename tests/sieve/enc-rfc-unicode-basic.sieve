require ["fileinto", "encoded-character"];
fileinto "${unicode:40}";
