FOR i = 1 TO 3
  TALK i
NEXT
FOR i = 10 TO 1 STEP -3
  TALK "down " + i
NEXT i
FOR i = 0 TO 1 STEP 0.5
  TALK i
NEXT
FOR i = 5 TO 1
  TALK "never"
NEXT
TALK "after: " + i
s = ""
FOR i = 1 TO 3
  FOR j = 1 TO i
    s = s + j
  NEXT j
  s = s + ";"
NEXT i
TALK s
n = 2
FOR k = n TO n * 2 STEP n
  TALK k
NEXT
