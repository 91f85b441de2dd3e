require ["fileinto", "encoded-character"];
fileinto "${hex:4${hex:30}}";
