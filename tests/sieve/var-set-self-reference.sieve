require ["fileinto", "variables"];
set "f" "a";
set "f" "${f}b${f}";
fileinto "${f}";
