require ["fileinto"];
if header :contains "Subject" "${unicode:51}uarterly" {
  fileinto "matched";
}
