TALK SWITCH_FUNC(2, 1, "one", 2, "two", "many")
TALK SWITCH_FUNC(9, 1, "one", "many")
TALK "[" + SWITCH_FUNC(9, 1, "one") + "]"
TALK SWITCH_FUNC("2", 2, "two")
