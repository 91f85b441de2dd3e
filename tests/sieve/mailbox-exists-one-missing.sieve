require ["mailbox", "fileinto"];
if mailboxexists ["Work", "Nope"] {
  fileinto "Work";
}
