require "envelope";
if envelope :domain :is "to" "example.org" {
	discard;
}
