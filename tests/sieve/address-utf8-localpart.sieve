if address :localpart :is "to" "jörg" {
	discard;
}
