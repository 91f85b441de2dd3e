if header :comparator "i;frobnicate" "subject" "x" {
	discard;
}
