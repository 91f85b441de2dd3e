if heaer :contains "subject" "x" {
	discard;
}
