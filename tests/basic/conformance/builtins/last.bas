TALK LAST("General Bots rocks")
TALK LAST([7, 8])
TALK LAST("one")
TALK "[" + LAST([]) + "]"
