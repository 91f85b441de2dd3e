require "vnd.mailsift.tempfail";
tempfail "Greylisted, try again later";
