if header :contains "subject" "au lait" {
	discard;
}
