if address :all :is "to" "not an address" {
	discard;
}
