require ["vnd.mailsift.quarantine", "fileinto"];
fileinto "Suspect";
quarantine "Macro in attachment";
