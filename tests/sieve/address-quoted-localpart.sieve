if address :localpart :is "to" "john doe" {
	discard;
}
