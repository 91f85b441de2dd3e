if anyof (true, ) {
	discard;
}
