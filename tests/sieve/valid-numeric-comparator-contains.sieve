require "comparator-i;ascii-numeric";
if header :comparator "i;ascii-numeric" :contains "x-count" "4" {
	discard;
}
