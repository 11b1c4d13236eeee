ON ERROR GOTO handler
TALK "before"
CALL Fails("inner")
TALK "not printed"
handler:
TALK "caught: " + ERR_DESCRIPTION
TALK "number set: " + (ERR <> 0)

SUB Fails(what)
  TALK "in sub " + what
  x = 1 / 0
  TALK "not printed either"
END SUB
