if header :is :is "subject" "x" {
	discard;
}
