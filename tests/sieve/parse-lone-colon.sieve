if header : is "subject" "x" {
	discard;
}
