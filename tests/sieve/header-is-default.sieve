if header "subject" "Lunch on Friday?" {
	discard;
}
