' exit: 1
qty = 0
TALK ASSERT(qty > 0, "qty must be positive")
