if address :contains "from" "Ross" {
	discard;
}
