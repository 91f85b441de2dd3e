if header :matches "subject" "Build ? passed" {
	discard;
}
