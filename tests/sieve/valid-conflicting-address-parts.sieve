if address :all :domain "from" "example.com" {
	discard;
}
