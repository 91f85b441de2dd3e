require ["mailbox", "fileinto"];
if mailboxexists "Archive" {
  fileinto "Archive";
}
