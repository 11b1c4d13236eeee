i = 0
top:
i = i + 1
IF i < 3 THEN GOTO top
TALK "i=" + i
GOTO skip
TALK "skipped"
skip:
TALK "after skip"
