TALK "[" + LTRIM("  hi  ") + "]"
