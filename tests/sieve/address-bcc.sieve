if address :localpart :is "bcc" "hidden" {
	discard;
}
