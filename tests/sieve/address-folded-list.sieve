if address :is "to" "dave@example.net" {
	discard;
}
