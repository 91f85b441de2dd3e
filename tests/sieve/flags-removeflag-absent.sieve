require ["imap4flags", "fileinto"];
setflag "A";
removeflag "Z";
keep;
