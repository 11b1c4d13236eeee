x = 5
IF x > 3 THEN
  TALK "block if"
END IF
IF x > 10 THEN
  TALK "no"
ELSE
  TALK "else branch"
END IF
FOR EACH n IN [1, 2, 3, 4]
  IF n = 1 THEN
    TALK "one"
  ELSEIF n = 2 THEN
    TALK "two (ELSEIF)"
  ELSE IF n = 3 THEN
    TALK "three (ELSE IF)"
  ELSE
    TALK "other"
  END IF
NEXT
IF x = 5 THEN TALK "one-line if"
IF x = 6 THEN TALK "not printed"
IF x = 6 THEN TALK "then part" ELSE TALK "one-line else"
IF x > 1 THEN
  IF x < 10 THEN
    TALK "nested"
  END IF
END IF
IF (x > 1) AND (x < 3) THEN
  TALK "no"
ELSE
  TALK "parenthesised"
END IF
IF "yes" THEN TALK "text is true"
IF "" THEN TALK "empty text is false"
