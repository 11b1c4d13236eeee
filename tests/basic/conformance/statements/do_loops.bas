i = 0
DO WHILE i < 2
  TALK "do while " + i
  i = i + 1
LOOP
DO UNTIL i = 4
  TALK "do until " + i
  i = i + 1
LOOP
DO
  TALK "loop while " + i
  i = i + 1
LOOP WHILE i < 6
DO
  TALK "loop until " + i
  i = i + 1
LOOP UNTIL i >= 7
DO
  TALK "runs once " + i
LOOP WHILE FALSE
DO WHILE FALSE
  TALK "never"
LOOP
DO
  i = i + 1
  IF i > 9 THEN EXIT DO
LOOP
TALK "end " + i
