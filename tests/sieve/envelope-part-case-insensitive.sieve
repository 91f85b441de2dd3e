require "envelope";
if envelope :is "FROM" "sender@example.net" {
	discard;
}
