require "fileinto";
if header :is "subject" "\a\b\c" { fileinto "Hit"; }
