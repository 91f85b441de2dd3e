if header :is "subject" "CAFÉ" {
	discard;
}
