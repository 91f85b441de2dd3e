if header :is "subject" "=?utf-8?q?broken" {
	discard;
}
