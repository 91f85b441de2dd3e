require ["ereject", "reject"];
reject "no";
ereject "no";
