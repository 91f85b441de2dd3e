if header :is 5 "x" {
	discard;
}
