require ["fileinto", "encoded-character"];
fileinto "${hex:4142}";
