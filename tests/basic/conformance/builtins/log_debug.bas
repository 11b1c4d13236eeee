LOG_DEBUG("order", 42, "shipped")
x = LOG_DEBUG("as a value")
TALK "logged"
