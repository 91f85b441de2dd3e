require ["fileinto", "encoded-character"];
fileinto "${hex:c3 a9}t${hex:C3 A9}";
