TALK LAST_ELEM([7, 8])
TALK "[" + LAST_ELEM([]) + "]"
