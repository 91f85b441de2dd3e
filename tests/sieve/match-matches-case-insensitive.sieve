if header :matches "subject" "build*PASSED" {
	discard;
}
