require "reject";
reject "no";
reject "again";
