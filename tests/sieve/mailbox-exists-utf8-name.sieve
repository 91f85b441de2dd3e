require ["mailbox", "fileinto"];
if mailboxexists "Entwürfe" {
  fileinto "Entwürfe";
}
