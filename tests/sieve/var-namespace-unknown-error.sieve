require ["fileinto", "variables"];
fileinto "${foo.bar}";
