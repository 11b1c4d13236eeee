' exit: 1
TALK "this line is fine"
x = (1 + 2
TALK "never runs"
