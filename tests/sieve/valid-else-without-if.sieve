else {
	discard;
}
