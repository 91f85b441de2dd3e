if address :all :is "from" "rene@example.org" {
	discard;
}
