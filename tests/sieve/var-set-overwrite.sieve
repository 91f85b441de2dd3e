require ["fileinto", "variables"];
set "f" "first";
set "f" "second";
fileinto "${f}";
