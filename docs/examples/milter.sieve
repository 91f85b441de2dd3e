# SPDX-License-Identifier: MIT
# Sample SMTP-time rules for mailsift-milter (used by scripts/demo).
# They run inside Postfix, before a message is accepted.
require ["envelope", "ereject", "copy", "editheader", "fileinto", "imap4flags",
         "vnd.mailsift.quarantine", "vnd.mailsift.tempfail", "regex"];

# A domain that moved away: refused at RCPT TO (550 5.7.1), so the sender
# hears of it at once; the other recipients of the message are not held up.
# (stop: a second ereject would be a runtime error, and a rule that could
# end in an error is not decided before the message is there.)
if envelope :domain :is "to" "old.example" {
    ereject "old.example has moved: write to new.example";
    stop;
}

# A sender domain nobody here wants mail from: refused after DATA.
if address :domain :is "from" "spam.example" {
    ereject "Mail from spam.example is not accepted here";
    stop;
}

# Executables named in the subject: held in Postfix's hold queue for a
# person to look at (postqueue -p, postsuper -H to release).
if header :regex "subject" "\\.(exe|scr|js)\\b" {
    quarantine "executable named in the subject";
    stop;
}

# The postmaster's mail also goes to the admin's mailbox.
if envelope :localpart :is "to" "postmaster" {
    redirect :copy "admin@example.org";
}

# Mailing lists: tagged, filed into Lists and marked read at delivery
# (a signed Mailsift-Hint field tells the Dovecot plugin).
if exists "list-id" {
    addheader "X-Mailsift-Class" "list";
    fileinto :flags "\\Seen" "Lists";
}
