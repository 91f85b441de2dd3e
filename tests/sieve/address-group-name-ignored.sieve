if address :all :contains "to" "Friends" {
	discard;
}
