if exists ["from", "x-no-such-field", "subject"] {
	discard;
}
