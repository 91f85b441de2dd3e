if header :is "subject" "CAFé" {
	discard;
}
