require ["fileinto", "encoded-character"];
fileinto "${unicode:10FFFF}x";
