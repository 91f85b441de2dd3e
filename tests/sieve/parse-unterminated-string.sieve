require "fileinto";
fileinto "Lunch;
keep;
