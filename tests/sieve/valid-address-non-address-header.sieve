if address :is "subject" "lunch" {
	discard;
}
