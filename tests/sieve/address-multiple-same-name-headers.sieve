if address :is "to" "carol@example.net" {
	discard;
}
