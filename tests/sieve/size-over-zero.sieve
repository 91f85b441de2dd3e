if size :over 0 {
	discard;
}
