if header :comparator 5 "subject" "x" {
	discard;
}
