require ["environment", "variables", "fileinto"];
if allof (environment :is "vnd.mailsift.tls" "TLSv1.3",
          environment :is "vnd.mailsift.sasl-user" "bob") {
  fileinto "auth-tls";
}
