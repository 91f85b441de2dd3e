require "fileinto";
fileinto "Food";
