TALK SORT_DESC([3, 1, 2])
TALK SORT_DESC([#{ n: 1 }, #{ n: 2 }], "n")
TALK SORT_DESC(["a", "c", "b"])
