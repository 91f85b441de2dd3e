if size :under 17179869183G { discard; }
