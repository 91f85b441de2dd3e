if allof (size :over 300, size :under 302) {
	discard;
}
