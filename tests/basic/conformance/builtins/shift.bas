TALK SHIFT([1, 2, 3])
TALK "[" + ARRAY_SHIFT([]) + "]"
a = ["x", "y"]
TALK SHIFT(a)
TALK a
