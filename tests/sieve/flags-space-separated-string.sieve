require ["imap4flags", "fileinto"];
addflag "A B  C";
keep;
