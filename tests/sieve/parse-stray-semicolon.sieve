keep;
;
