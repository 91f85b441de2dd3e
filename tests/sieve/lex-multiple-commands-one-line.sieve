require "fileinto"; fileinto "A"; fileinto "B"; keep;
