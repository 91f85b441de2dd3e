if true {
	discard;
