# SPDX-License-Identifier: MIT
# A sample user delivery script for the mailsift Dovecot plugin
# (docs/mailsift-dovecot.7): the user's own rules at ~/.dovecot.sieve
# (mailsift_user), run at delivery after the administrator's
# mailsift_before scripts.  scripts/demo-imap delivers sample mail
# through it.  Check it with: mailsift check docs/examples/user.sieve
require ["fileinto", "mailbox", "variables", "imap4flags", "ereject", "copy"];

# Someone I want no more mail from: with lmtp_mailsift loaded, LMTP
# refuses this recipient (550 5.7.1 and the reason) and the sender's
# MTA tells the sender; the other recipients still get the message.
if address :is "from" "ex@example.net" {
    ereject "Alice does not read mail from you any more.";
    stop;
}

# Cron's chatter: nobody reads it.  Stored nowhere.
if header :matches "subject" "Cron <*> *" {
    discard;
    stop;
}

# Mailing lists: one folder per list, named after the first word of
# its List-Id (List-Id: Developers <dev.lists.example.com> -> Lists/dev),
# made on first use.
if header :matches "list-id" "*<*.*>" {
    fileinto :create "Lists/${2}";
    stop;
}

# The boss: flagged and labelled; it stays in INBOX (the implicit keep).
if address :is "from" "boss@example.com" {
    addflag ["\\Flagged", "$Label1"];
}

# Invoices: a copy goes to the accounts department, mine stays in INBOX.
if header :contains "subject" "invoice" {
    redirect :copy "accounts@example.org";
}
