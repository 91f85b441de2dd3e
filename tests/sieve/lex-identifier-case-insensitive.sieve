REQUIRE "fileinto";
IF HEADER :CONTAINS "Subject" "lunch" { FileInto "Lunch"; } ELSE { Discard; }
