if size :over 320 {
	discard;
}
