require ["ereject", "fileinto"];
fileinto "Food";
ereject "no";
