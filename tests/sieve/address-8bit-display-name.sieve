if address :all :is "from" "joerg@example.de" {
	discard;
}
