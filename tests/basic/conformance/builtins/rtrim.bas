TALK "[" + RTRIM("  hi  ") + "]"
