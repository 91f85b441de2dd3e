if header :is "subject" "Lunch" {
	discard;
}
