if {
	discard;
}
