require ["imap4flags", "fileinto"];
fileinto "Work";
addflag "\\Seen";
