# SPDX-License-Identifier: MIT
# A sample rule on IMAP events (RFC 6785) for the mailsift Dovecot plugin
# (docs/mailsift-dovecot.7, IMAP EVENTS), used by scripts/demo-imap with
#   plugin { mailsift_imap_rule = Junk COPY /path/to/imap-events.sieve }
# It runs in the imap process after a client copied or moved a message
# into Junk: the message stays there (the implicit keep) and gets the
# flags below, so a spam filter's trainer can find what people marked.
# Check it with: mailsift check docs/examples/imap-events.sieve
require ["imap4flags", "environment"];

if environment :is "imap.cause" "COPY" {
    addflag "$Junk";
    removeflag "$NotJunk";
}
