require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
deleteheader "X-No-Such";
keep;
