discard;
# last line has no line end