TALK FIRST_ELEM([7, 8])
TALK "[" + FIRST_ELEM([]) + "]"
