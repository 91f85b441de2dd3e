if size :under 288 {
	discard;
}
