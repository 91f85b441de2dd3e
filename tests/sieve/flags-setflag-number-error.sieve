require ["imap4flags", "fileinto"];
setflag 1;
