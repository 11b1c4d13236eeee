' exit: 1
ON ERROR RESUME NEXT
x = 1 / 0
TALK "ignored"
ON ERROR GOTO 0
TALK "handler off"
y = 1 / 0
TALK "not reached"
