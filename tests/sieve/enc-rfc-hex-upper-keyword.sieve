require ["fileinto", "encoded-character"];
fileinto "${HEX: 40}";
