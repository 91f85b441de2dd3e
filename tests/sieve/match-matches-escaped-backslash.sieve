if header :matches "subject" "C:\\\\Temp\\\\*" {
	discard;
}
