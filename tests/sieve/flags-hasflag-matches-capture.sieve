require ["imap4flags", "fileinto", "variables"];
addflag "$Label7";
if hasflag :matches "$Label*" {
  fileinto "label-${1}";
}
