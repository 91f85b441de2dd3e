require "reject";
reject "This reason is far too long to print whole. This reason is far too long to print whole. This reason is far too long to print whole. ";
