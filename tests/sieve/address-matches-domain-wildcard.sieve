if address :domain :matches "from" "*.example.com" {
	discard;
}
