if header :contains :comparator "i;ascii-casemap" "subject" "FRIDAY" {
	discard;
}
