if size :under 321 {
	discard;
}
