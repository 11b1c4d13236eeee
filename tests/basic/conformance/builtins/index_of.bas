TALK INDEX_OF(["a", "b", "c"], "b")
TALK INDEX_OF([1, 2], 5)
TALK INDEX_OF("hello", "l")
TALK INDEX_OF([1, 2, 1], 1)
