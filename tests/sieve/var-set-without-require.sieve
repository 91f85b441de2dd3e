require "fileinto";
set "x" "y";
