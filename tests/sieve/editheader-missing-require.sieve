require "fileinto";
addheader "X-A" "b";
