TALK CHUNK([1, 2, 3, 4, 5], 2)
TALK BATCH([], 3)
TALK BATCH(["a", "b"], 5)
