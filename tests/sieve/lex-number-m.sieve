if size :under 1M { discard; }
