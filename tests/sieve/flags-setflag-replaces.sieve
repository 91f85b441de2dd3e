require ["imap4flags", "fileinto"];
addflag ["A", "B"];
setflag "C";
keep;
