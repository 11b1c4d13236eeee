' exit: 1
TALK "before"
x = UCASEE("abc")
TALK "after"
