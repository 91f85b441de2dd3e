keep;
42;
