require "encoded-character";
if header :is "Subject" "Caf${unicode:e9} cr${hex:c3 a8}me" {
  discard;
}
