if address :all :contains "to" "undisclosed" {
	discard;
}
