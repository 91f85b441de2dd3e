require ["imap4flags", "fileinto", "variables"];
set "MyVar" "NonJunk Junk gnus-forward $Forwarded NotJunk JunkRecorded $Junk $NotJunk";
if allof (hasflag :is "MyVar" "$Junk",
          not hasflag :is "MyVar" "Forwarded") {
  fileinto "is-ok";
}
