require ["ihave", "fileinto"];
if not ihave "x-example-unknown" {
  error "Sieve extension x-example-unknown is needed";
}
fileinto "unreached";
