/*** a comment with ** stars * inside ***/
discard;
/**/
