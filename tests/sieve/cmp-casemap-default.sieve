if header :is "subject" "lunch ON friday?" {
	discard;
}
