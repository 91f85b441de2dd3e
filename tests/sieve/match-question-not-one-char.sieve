if header :matches "subject" "caf? au lait" {
	discard;
}
