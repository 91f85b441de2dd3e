require "fileinto";
fileinto "Food";
fileinto "Friday";
