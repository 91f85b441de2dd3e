require ["fileinto", "encoded-character"];
fileinto "${Unicode:40}";
