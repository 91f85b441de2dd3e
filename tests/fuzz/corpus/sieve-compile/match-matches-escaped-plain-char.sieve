if header :matches "subject" "\\a\\b" {
	discard;
}
