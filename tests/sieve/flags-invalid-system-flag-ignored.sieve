require ["imap4flags", "fileinto"];
addflag ["\\Bogus", "Ok"];
keep;
