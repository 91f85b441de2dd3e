require "vnd.mailsift.quarantine";
quarantine "Suspicious attachment";
