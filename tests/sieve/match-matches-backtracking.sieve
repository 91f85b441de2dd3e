if header :matches "subject" "*a*b*c" {
	discard;
}
