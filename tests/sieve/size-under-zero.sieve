if size :under 0 {
	discard;
}
