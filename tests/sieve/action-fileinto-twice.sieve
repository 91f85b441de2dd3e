require "fileinto";
fileinto "Food";
fileinto "Food";
