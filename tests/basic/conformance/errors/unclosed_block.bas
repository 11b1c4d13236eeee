' exit: 1
FOR i = 1 TO 3
  IF i > 1 THEN
    TALK i
NEXT
