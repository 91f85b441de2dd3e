if size :under 1G { discard; }
