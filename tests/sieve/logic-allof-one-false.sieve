if allof (header :contains "subject" "lunch", exists "x-no-such-field") {
	discard;
}
