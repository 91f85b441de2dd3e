require ["imap4flags", "fileinto"];
keep :flags "\\Draft";
