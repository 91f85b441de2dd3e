if address :is "FROM" "alice@example.com" {
	discard;
}
