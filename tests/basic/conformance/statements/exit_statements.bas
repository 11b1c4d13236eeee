FOR i = 1 TO 10
  IF i = 3 THEN EXIT FOR
  TALK "for " + i
NEXT
FOR EACH w IN ["a", "b", "stop", "c"]
  IF w = "stop" THEN
    EXIT FOR
  END IF
  TALK "each " + w
NEXT
n = 0
WHILE TRUE
  n = n + 1
  IF n = 2 THEN EXIT WHILE
WEND
TALK "while " + n
DO
  n = n + 1
  IF n >= 5 THEN EXIT DO
LOOP
TALK "do " + n
FOR i = 1 TO 2
  FOR j = 1 TO 5
    IF j = 2 THEN EXIT FOR
    TALK i + "." + j
  NEXT j
NEXT i
CALL Early(1)
CALL Early(2)
TALK Half(8)
TALK Half(7)

SUB Early(x)
  TALK "sub start " + x
  IF x > 1 THEN EXIT SUB
  TALK "sub end " + x
END SUB

FUNCTION Half(x)
  Half = "odd"
  IF x MOD 2 = 1 THEN EXIT FUNCTION
  Half = x / 2
END FUNCTION
