require ["imap4flags", "fileinto", "variables"];
setflag "v" "\\Answered";
keep;
