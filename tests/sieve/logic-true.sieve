if true {
	discard;
}
