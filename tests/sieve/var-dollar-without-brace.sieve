require ["fileinto", "variables"];
set "x" "X";
fileinto "$x-${x}";
