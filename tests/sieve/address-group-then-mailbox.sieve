if address :is "to" "erin@example.net" {
	discard;
}
