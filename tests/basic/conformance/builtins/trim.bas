TALK "[" + TRIM("  hi  ") + "]"
TALK "[" + TRIM("\thi\n") + "]"
TALK "[" + TRIM("") + "]"
TALK "[" + TRIM("a b") + "]"
