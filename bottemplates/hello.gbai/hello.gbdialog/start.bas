' The hello bot: greets the user and echoes one answer.
TALK "Hello! I am the General Bots example bot. What is your name?"
HEAR name
TALK "Nice to meet you, " + name + "."
