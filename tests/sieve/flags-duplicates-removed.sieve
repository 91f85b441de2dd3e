require ["imap4flags", "fileinto"];
addflag ["\\Seen", "\\seen", "X", "x"];
addflag "X";
keep;
