LOG_ERROR("order", 42, "shipped")
x = LOG_ERROR("as a value")
TALK "logged"
