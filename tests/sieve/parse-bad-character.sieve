keep;
@
