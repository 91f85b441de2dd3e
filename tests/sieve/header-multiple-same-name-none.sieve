if header :is "x-spam-flag" "MAYBE" {
	discard;
}
