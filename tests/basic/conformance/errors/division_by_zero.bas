' exit: 1
n = 0
TALK 10 / n
