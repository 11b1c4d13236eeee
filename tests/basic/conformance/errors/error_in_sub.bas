' exit: 1
TALK "start"
CALL Inner(0)

SUB Inner(d)
  TALK 1 / d
END SUB
