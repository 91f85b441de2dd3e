keep, discard;
