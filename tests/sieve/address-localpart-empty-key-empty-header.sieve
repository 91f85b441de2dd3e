if address :localpart :is "from" "" {
	discard;
}
