if header :contains "subject" "nothing like this" { discard; }
