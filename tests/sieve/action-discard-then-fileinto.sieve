require "fileinto";
discard;
fileinto "Food";
