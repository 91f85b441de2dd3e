if header :contains "subject" "Grüße" {
	discard;
}
