if header :contains "subject" "=?utf-8?" {
	discard;
}
