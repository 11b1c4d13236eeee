TALK LEFT("hello", 2)
TALK LEFT("hi", 10)
TALK "[" + LEFT("hello", 0) + "]"
TALK LEFT(12345, 3)
