require "fileinto";
error "x";
