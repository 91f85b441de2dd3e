require "envelope";
if envelope :matches "from" "?*" {
	discard;
}
