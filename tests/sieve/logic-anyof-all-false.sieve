if anyof (exists "x-no-such-field", header :contains "subject" "dinner") {
	discard;
}
