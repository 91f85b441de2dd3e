if address :localpart :localpart "from" "alice" {
	discard;
}
