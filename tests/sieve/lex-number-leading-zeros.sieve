if size :over 0000000010 { discard; }
