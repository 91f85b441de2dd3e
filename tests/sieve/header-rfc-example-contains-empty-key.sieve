if header :contains ["X-Caffeine"] [""] {
	discard;
}
