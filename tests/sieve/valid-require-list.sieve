require ["fileinto", "envelope", "copy"];
require "reject";
fileinto :copy "Archive";
