require ["fileinto", "encoded-character"];
fileinto "${Unicode:Cool}";
