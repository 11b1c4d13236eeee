' exit: 1
TALK "start"
CALL Forever(1)

SUB Forever(n)
  CALL Forever(n + 1)
END SUB
