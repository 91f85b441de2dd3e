if header :is "SUBJECT" "Lunch on Friday?" {
	discard;
}
