require ["ihave", "fileinto"];
fileinto "Before";
error "stop here";
