require "envelope";
if envelope :domain :is "from" "example.net" {
	discard;
}
