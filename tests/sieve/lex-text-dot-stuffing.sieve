require "reject";
reject text:
..starts with a dot
plain line
.
;
