if address :localpart :matches "to" "*" {
	discard;
}
