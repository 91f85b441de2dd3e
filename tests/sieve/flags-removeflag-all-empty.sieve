require ["imap4flags", "fileinto"];
setflag "A";
removeflag "A";
keep;
