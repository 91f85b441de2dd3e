if address :localpart :is "from" "ALICE" {
	discard;
}
