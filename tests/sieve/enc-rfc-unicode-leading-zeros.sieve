require ["fileinto", "encoded-character"];
fileinto "${UnICoDE:0000040}";
