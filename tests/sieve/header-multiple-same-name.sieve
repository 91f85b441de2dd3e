if header :is "x-spam-flag" "YES" {
	discard;
}
