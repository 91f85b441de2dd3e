if header :is "subject" "LUNCH ON FRIDAY?" {
	discard;
}
