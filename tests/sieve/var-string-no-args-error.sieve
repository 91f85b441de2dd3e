require ["fileinto", "variables"];
if string :is "x" {
  fileinto "a";
}
