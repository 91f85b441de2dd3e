if exists ["from", "to", "subject", "message-id"] {
	discard;
}
