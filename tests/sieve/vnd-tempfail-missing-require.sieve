tempfail "later";
