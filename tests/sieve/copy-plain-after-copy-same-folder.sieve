require ["fileinto", "copy"];
fileinto :copy "Archive";
fileinto "Archive";
