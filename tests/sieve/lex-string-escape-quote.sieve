require "fileinto";
if header :is "subject" "say \"hi\"" { fileinto "Hit"; }
