if exists "subject" {
	discard;
}
