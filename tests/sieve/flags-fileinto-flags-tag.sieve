require ["imap4flags", "fileinto"];
fileinto :flags ["\\Flagged", "$Work"] "Work";
