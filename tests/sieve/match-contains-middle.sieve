if header :contains "subject" "d 4" {
	discard;
}
