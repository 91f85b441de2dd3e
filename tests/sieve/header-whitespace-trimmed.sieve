if header :is "subject" "padded" {
	discard;
}
