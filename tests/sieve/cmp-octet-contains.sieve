if header :contains :comparator "i;octet" "subject" "Friday" {
	discard;
}
