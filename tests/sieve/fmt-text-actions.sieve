require ["fileinto", "copy", "mailbox", "imap4flags", "editheader", "vnd.mailsift.quarantine"];
addflag "\\Seen";
fileinto :copy :create "Reports";
redirect :copy "audit@example.org";
addheader :last "X-Filed" "reports";
deleteheader "X-Spam-Score";
quarantine "checked by audit";
keep :flags "$Important";
