require "fileinto";
if header :is "subject" "C:\\Temp" { fileinto "Hit"; }
