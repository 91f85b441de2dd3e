if address :is "from" "" {
	discard;
}
