require "envelope";
if envelope :is "to" "bob.builder@example.org" {
	discard;
}
