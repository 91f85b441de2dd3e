if address :domain :matches "to" "*" {
	discard;
}
