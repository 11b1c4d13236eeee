' exit: 1
TALK "fine"
TALKK "hello"
