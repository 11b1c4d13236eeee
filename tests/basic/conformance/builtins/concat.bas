TALK CONCAT([1, 2], [3])
TALK CONCAT([1], [2], [3, 4])
TALK CONCAT("a", "b", 1)
