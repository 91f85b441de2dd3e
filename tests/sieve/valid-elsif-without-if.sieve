keep;
elsif true {
	discard;
}
