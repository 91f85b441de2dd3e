require "fileinto";
if mailboxexists "INBOX" {
  fileinto "x";
}
