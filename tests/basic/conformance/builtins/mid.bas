TALK MID("General Bots", 9, 3)
TALK MID("General Bots", 9)
TALK "[" + MID("abc", 10) + "]"
TALK MID("abc", 1, 1)
TALK MID("abc", 2, 100)
