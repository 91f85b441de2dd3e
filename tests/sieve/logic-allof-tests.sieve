if allof (header :contains "subject" "lunch", address :domain :is "from" "example.com", exists "date") {
	discard;
}
