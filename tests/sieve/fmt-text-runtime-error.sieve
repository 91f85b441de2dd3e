require ["fileinto", "ihave"];
fileinto "Reports";
error "the rules are being updated";
