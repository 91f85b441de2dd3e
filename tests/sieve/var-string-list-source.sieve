require ["fileinto", "variables"];
if string :matches ["one", "two", "three"] "t*e" {
  fileinto "${1}";
}
