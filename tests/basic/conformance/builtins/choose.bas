TALK CHOOSE(2, "red", "green", "blue")
TALK "[" + CHOOSE(5, "a") + "]"
TALK CHOOSE(1, "a", "b")
TALK "[" + CHOOSE(0, "a") + "]"
