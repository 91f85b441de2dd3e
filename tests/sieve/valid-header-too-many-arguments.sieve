if header :is "subject" "x" "y" {
	discard;
}
