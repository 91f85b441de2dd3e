if header :contains "x-spam-flag" "" {
	discard;
}
