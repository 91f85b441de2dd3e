require "FileInto";
keep;
