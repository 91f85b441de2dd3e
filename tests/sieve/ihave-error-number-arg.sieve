require "ihave";
error 42;
