if envelope :is "from" "alice@example.com" {
	discard;
}
