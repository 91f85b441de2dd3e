if header :contains "subject" "failed" {
	discard;
}
