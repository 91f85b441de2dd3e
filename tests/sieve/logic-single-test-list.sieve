if anyof (true) {
	discard;
}
