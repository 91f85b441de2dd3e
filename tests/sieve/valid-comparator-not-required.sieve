if header :comparator "i;ascii-numeric" "x-count" "5" {
	discard;
}
