require ["mailbox", "fileinto"];
if mailboxexists ["Work", "Lists", "INBOX"] {
  fileinto "Lists";
}
