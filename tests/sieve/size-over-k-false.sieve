if size :over 2K {
	discard;
}
