' exit: 1
price = "abc"
TALK "computing"
total = price * 2
TALK total
