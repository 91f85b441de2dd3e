if header :matches "subject" "*4*s*d" {
	discard;
}
