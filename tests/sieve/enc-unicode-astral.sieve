require ["fileinto", "encoded-character"];
fileinto "${unicode:1F600}";
