require "fileinto";
fileinto "Reçus/2025";
