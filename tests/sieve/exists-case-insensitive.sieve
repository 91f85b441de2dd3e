if exists "x-TEST-note" {
	discard;
}
