require "envelope";
if envelope :is "from" "someone@example.net" {
	discard;
}
