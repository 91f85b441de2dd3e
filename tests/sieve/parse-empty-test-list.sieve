if anyof () {
	discard;
}
