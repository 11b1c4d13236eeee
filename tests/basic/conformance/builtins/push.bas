TALK PUSH([1, 2], 3)
TALK ARRAY_PUSH([], "a")
TALK APPEND(["x"], "y")
a = [1]
TALK PUSH(a, 2)
TALK a
TALK PUSH([1], 2, 3)
TALK PUSH([], [1])
