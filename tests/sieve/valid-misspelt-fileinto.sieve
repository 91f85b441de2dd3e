require "fileinto";
filinto "Junk";
