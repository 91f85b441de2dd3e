require "reject";
reject text:
CRLF script
.
;
