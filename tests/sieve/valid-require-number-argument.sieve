require 42;
keep;
