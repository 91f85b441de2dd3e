if header :is :comparator "i;octet" "subject" "Lunch on Friday?" {
	discard;
}
