if header :matches "subject" "Build *" {
	discard;
}
