require ["fileinto", "copy"];
fileinto :copy :copy "Archive";
