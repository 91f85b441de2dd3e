# SPDX-License-Identifier: MIT
# An example of administrator rules, used by scripts/demo.
require ["fileinto", "imap4flags", "variables", "envelope", "body", "regex",
         "relational", "comparator-i;ascii-numeric", "copy"];

# Reports sent to Bob get a keyword and their own folder.
if address :is :all "to" "bob@example.org" {
    if header :matches "subject" "Report*" {
        addflag "$Report";
        fileinto "Reports";
    }
}

# Decoded subjects are matched: this one was sent as RFC 2047 words.
if header :regex "subject" "(café|crème)" {
    fileinto :copy "Food";
}

# A spam score header from the MTA, compared as a number.
if header :value "ge" :comparator "i;ascii-numeric" "x-spam-score" "5" {
    fileinto "Junk";
    stop;
}

# A PDF attachment flags the message (the implicit keep stores it so).
if body :content "application/pdf" :contains "" {
    set "why" "PDF attachment";
    addflag "\\Flagged";
}
