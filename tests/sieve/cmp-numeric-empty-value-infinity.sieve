require "comparator-i;ascii-numeric";
if header :is :comparator "i;ascii-numeric" "x-count" "abc" {
	discard;
}
