require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
addheader "X Bad" "v";
