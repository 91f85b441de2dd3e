require ["fileinto", "encoded-character"];
fileinto "x${hex:}y";
