' A whole-line comment
REM a REM comment line
rem rem in lower case
// a slash comment line
   ' an indented comment
TALK "one" ' a trailing comment
TALK "it's not a comment" ' but this is
TALK "a // b and REM c"
REMAINING = 3 ' REM only starts a comment as a whole word
remark = "kept"
TALK REMAINING
TALK remark
IF REMAINING > 2 THEN ' a comment after THEN
  TALK "big"
END IF ' a comment after END IF
FOR EACH x IN [1] ' a comment after FOR EACH
  TALK x
NEXT ' a comment after NEXT
