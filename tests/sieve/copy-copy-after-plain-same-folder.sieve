require ["fileinto", "copy"];
fileinto "Archive";
fileinto :copy "Archive";
