require ["fileinto", "variables"];
set "x" "X";
fileinto "pre${x";
