' exit: 1
big = FILL("0123456789", 300000)
TALK "filled"
HEAR answer
