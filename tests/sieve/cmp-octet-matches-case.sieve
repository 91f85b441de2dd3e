if header :matches :comparator "i;octet" "subject" "lunch*" {
	discard;
}
