require "fileinto";
fileinto :flags "\\Seen" "Work";
