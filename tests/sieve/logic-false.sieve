if false {
	discard;
}
