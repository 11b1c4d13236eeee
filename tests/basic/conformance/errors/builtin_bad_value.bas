' exit: 1
TALK LEFT("hello", "two")
