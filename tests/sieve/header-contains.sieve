if header :contains "subject" "on Fri" {
	discard;
}
