require ["fileinto", "variables"];
fileinto "a${}b";
