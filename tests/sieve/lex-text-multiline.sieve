require "reject";
reject text:
Sorry, not today.
.
;
