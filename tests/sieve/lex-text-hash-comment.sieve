require "reject";
reject text: # a comment after text:
line one
line two
.
;
