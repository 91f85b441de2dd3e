require "envelope";
if envelope :is "subject" "lunch" {
	discard;
}
