require "envelope";
if envelope :localpart :is "from" "" {
	discard;
}
