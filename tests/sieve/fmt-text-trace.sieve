require ["fileinto", "envelope", "subaddress", "relational", "comparator-i;ascii-numeric"];
if anyof (header :contains "subject" "invoice", address :domain "from" "example.com") {
  if envelope :detail "to" "lists" {
    fileinto "Lists";
  }
}
if header :value "ge" :comparator "i;ascii-numeric" "x-spam-score" "5" {
  fileinto "Junk";
}
if exists "x-missing" { discard; }
if header :is "x-missing" "x" { discard; }
