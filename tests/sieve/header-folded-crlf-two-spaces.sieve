if header :is "subject" "Lunch  on Friday?" {
	discard;
}
