require ["fileinto", "encoded-character"];
fileinto "${UNICODE:40}";
