if header :is "subject" ["a", "b" {
	discard;
}
