if not not true {
	discard;
}
