require "comparator-i;ascii-numeric";
if header :is :comparator "i;ascii-numeric" "x-count" "12" {
	discard;
}
