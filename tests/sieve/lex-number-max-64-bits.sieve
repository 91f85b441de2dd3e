if size :under 18446744073709551615 { discard; }
