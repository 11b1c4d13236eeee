' exit: 1
TALK "before"
THROW "order 42 not found"
TALK "after"
