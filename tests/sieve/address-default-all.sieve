if address :is "from" "alice@example.com" {
	discard;
}
