if header :is "subject" "Build 42 passed" {
	discard;
}
