require "envelope";
if envelope :is "from" "sender@example.net" {
	discard;
}
