if address :is "from" ["nobody@example.net", "alice@example.com"] {
	discard;
}
