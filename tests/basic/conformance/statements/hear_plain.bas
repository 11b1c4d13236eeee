TALK "What is your name?"
HEAR name
TALK "Hello, " + name + "!"
HEAR Second
TALK "[" + second + "]"
HEAR third
TALK LEN(third)
