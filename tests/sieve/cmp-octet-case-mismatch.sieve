if header :is :comparator "i;octet" "subject" "LUNCH ON FRIDAY?" {
	discard;
}
