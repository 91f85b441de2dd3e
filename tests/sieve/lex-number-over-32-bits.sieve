if size :over 4294967296 { discard; }
