require "envelope";
if envelope :localpart :matches "to" "bob+*" {
	discard;
}
