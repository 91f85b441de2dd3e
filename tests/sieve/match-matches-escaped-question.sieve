if header :matches "subject" "why\\?" {
	discard;
}
