require ["fileinto", "copy", "imap4flags", "reject", "editheader"];
addheader "X-Checked" "yes";
fileinto :copy :flags ["\\Seen", "$Report"] "Reports";
redirect "bob@Example.ORG";
