if header :is "subject" "Café au lait" {
	discard;
}
