if address :all :is "from" "painter@example.com" {
	discard;
}
