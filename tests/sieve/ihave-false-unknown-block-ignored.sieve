require "ihave";
if ihave "x-example-unknown" {
  x_unknown_command "arg" :tag 5;
}
