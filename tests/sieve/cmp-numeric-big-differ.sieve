require "comparator-i;ascii-numeric";
if header :is :comparator "i;ascii-numeric" "x-count" "99999999999999999999998" {
	discard;
}
