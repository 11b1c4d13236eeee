TALK RIGHT("hello", 3)
TALK RIGHT("hi", 5)
TALK "[" + RIGHT("abc", 0) + "]"
