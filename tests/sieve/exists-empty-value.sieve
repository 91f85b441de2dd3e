if exists "x-empty" {
	discard;
}
