if not false {
	discard;
}
