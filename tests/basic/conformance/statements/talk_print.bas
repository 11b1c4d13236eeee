TALK "text"
TALK 42
TALK 2.5
TALK TRUE
TALK [1, "a"]
TALK #{ k: "v" }
TALK nothing
TALK "sum: " + (1 + 2)
TALK (1 + 2) * 3
PRINT "debug", 42, TRUE
TALK TO "whatsapp:+5511999990000", "shipped"
