if address :all :is "to" "\"john doe\"@example.com" {
	discard;
}
