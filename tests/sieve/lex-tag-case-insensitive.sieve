if header :Is :COMPARATOR "i;octet" "subject" "Lunch on Friday?" { discard; }
