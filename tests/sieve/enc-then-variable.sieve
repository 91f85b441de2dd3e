require ["fileinto", "encoded-character", "variables"];
set "x" "decoded";
fileinto "${hex:24}{x}";
