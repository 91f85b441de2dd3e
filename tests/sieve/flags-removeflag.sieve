require ["imap4flags", "fileinto"];
setflag ["A", "B", "C"];
removeflag "B";
keep;
