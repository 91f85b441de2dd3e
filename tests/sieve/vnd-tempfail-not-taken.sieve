require "vnd.mailsift.tempfail";
if header :contains "Subject" "urgent" {
  tempfail "later";
}
