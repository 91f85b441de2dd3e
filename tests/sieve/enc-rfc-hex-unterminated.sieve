require ["fileinto", "encoded-character"];
fileinto "${hex:40";
