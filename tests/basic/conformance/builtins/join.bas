TALK JOIN(["a", "b"], " - ")
TALK JOIN([1, 2, 3])
TALK "[" + JOIN([], ",") + "]"
TALK JOIN(["x"], "+")
TALK JOIN([1.5, TRUE, "s"], "|")
