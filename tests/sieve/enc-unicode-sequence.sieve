require ["fileinto", "encoded-character"];
fileinto "${unicode:43 61 66 E9}";
