require "envelope";
if envelope :is "to" "bob+lists@example.org" {
	discard;
}
