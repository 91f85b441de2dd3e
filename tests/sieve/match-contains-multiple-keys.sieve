if header :contains "subject" ["failed", "broken", "passed"] {
	discard;
}
