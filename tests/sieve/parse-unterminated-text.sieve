require "reject";
reject text:
no final dot line
