if header :matches "subject" "Build 42 passed*" {
	discard;
}
