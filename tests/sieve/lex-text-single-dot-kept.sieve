require "reject";
reject text:
. not the end
.
;
