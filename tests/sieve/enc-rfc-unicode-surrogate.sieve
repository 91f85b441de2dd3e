require ["fileinto", "encoded-character"];
if true {
  fileinto "${Unicode:DF01}";
}
