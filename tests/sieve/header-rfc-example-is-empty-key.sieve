if header :is ["X-Caffeine"] [""] {
	discard;
}
