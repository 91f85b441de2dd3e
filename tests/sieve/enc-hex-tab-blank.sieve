require ["fileinto", "encoded-character"];
fileinto "${hex:	41	42 }";
