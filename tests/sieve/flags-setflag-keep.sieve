require ["imap4flags", "fileinto"];
setflag "\\Seen";
keep;
