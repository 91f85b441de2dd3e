require "ereject";
ereject "Message refused by policy";
