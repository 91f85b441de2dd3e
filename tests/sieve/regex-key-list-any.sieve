require ["regex", "fileinto", "variables"];
if header :regex "Subject" ["^nothing", "port$"] {
  fileinto "yes";
}
