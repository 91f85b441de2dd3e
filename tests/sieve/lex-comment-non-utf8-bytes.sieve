# café in Latin-1
/* été */
discard;
