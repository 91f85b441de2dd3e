require "fileinto";
if header :is "subject" "/* not a comment */" { fileinto "Hit"; }
