if address :localpart :comparator "i;octet" :is "from" "Alice" {
	discard;
}
