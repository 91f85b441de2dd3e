require ["imap4flags", "fileinto"];
addflag ["\\ANSWERED", "\\draft"];
keep;
