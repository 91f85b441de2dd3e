if header :matches "subject" "50\\* off" {
	discard;
}
