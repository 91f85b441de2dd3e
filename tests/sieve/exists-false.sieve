if exists "x-no-such-field" {
	discard;
}
