require "envelope";
if envelope :localpart :is "from" "bounces" {
	discard;
}
