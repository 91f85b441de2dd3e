require "reject";
reject 42;
