require "comparator-i;ascii-numeric";
if header :comparator "i;ascii-numeric" :matches "x-count" "4*" {
	discard;
}
