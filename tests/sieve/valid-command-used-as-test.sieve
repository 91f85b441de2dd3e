if keep {
	discard;
}
