TALK POP([1, 2, 3])
TALK "[" + POP([]) + "]"
TALK ARRAY_POP(["a"])
a = [1, 2]
x = POP(a)
TALK x
TALK a
