a = [10, 20, 30]
TALK a
TALK a[0]
TALK a[2]
a[1] = 25
TALK a
TALK UBOUND(a)
empty = []
TALK empty
TALK LEN(empty)
nested = [[1, 2], ["x", TRUE], []]
TALK nested[1][0]
TALK nested
mixed = [1, 2.5, "three", FALSE]
TALK mixed
trailing = [1, 2,]
TALK trailing
i = 1
TALK a[i + 1]
