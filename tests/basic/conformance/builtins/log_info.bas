LOG_INFO("order", 42, "shipped")
x = LOG_INFO("as a value")
TALK "logged"
