require "envelope";
if envelope :is ["from", "to"] "bob@example.org" {
	discard;
}
