require ["reject", "fileinto"];
fileinto "Food";
reject "no";
