' exit: 1
TALK "the count is checked before the run starts"
TALK LEFT("hello")
