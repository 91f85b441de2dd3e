if frob "x" {
	discard;
}
