require "vnd.mailsift.quarantine";
quarantine;
