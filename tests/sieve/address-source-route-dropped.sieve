if address :all :is "to" "bob@example.org" {
	discard;
}
