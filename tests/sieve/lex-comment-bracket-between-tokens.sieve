if /* a */ header /* b */ :contains /* c */ "subject" /* d */ "lunch" /* e
 */ { discard /* f */ ; }
