if address :localpart :contains "from" "lic" {
	discard;
}
