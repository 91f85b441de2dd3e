if false {
	discard;
}
keep;
else {
	discard;
}
