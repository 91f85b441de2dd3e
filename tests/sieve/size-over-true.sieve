if size :over 312 {
	discard;
}
