TALK SORT([3, 1, 2])
TALK SORT_ASC(["b", "a", "C"])
TALK SORT([10, 9, 100])
TALK SORT([#{ n: 2 }, #{ n: 1 }], "n")
TALK SORT([1, 3, 2], "desc")
a = [2, 1]
b = SORT(a)
TALK a
TALK b
