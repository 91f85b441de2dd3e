if header :is "subject" ["a", 5] {
	discard;
}
