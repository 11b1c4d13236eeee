TALK FIRST("General Bots rocks")
TALK "[" + FIRST("") + "]"
TALK FIRST([7, 8])
TALK FIRST("  spaced  words ")
