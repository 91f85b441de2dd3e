if address :is "cc" "alice@example.com" {
	discard;
}
