if address :is ["from", "sender"] "secretary@example.com" {
	discard;
}
