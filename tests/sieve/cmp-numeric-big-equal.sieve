require "comparator-i;ascii-numeric";
if header :is :comparator "i;ascii-numeric" "x-count" "099999999999999999999999" {
	discard;
}
