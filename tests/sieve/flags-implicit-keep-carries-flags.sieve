require ["imap4flags", "fileinto"];
addflag "\\Flagged";
