LOG_WARN("order", 42, "shipped")
x = LOG_WARN("as a value")
TALK "logged"
