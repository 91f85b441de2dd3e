require ["imap4flags", "fileinto", "variables"];
set "MyVar" "NonJunk Junk gnus-forward $Forwarded NotJunk JunkRecorded $Junk $NotJunk";
if allof (hasflag :contains "MyVar" "Junk",
          hasflag :contains "MyVar" "forward",
          hasflag :contains "MyVar" ["label", "forward"],
          not hasflag :contains "MyVar" "label") {
  fileinto "all-true";
}
