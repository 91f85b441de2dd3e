if size :over 17179869184G {
	discard;
}
