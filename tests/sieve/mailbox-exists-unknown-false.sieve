require ["mailbox", "fileinto"];
if mailboxexists "Archive/2008" {
  fileinto "wrong";
}
