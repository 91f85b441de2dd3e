require "fileinto";
fileinto "${hex:40}";
