' exit: 1
CALL no_such_dialog("x")
