if header :contans "subject" "x" {
	discard;
}
