if header :contains "subject" ["dinner", "lunch"] {
	discard;
}
