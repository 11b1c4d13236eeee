TALK "[" + missing + "]"
TALK missing = ""
TALK missing = 0
TALK ISNULL(missing)
TALK missing + 1
TALK TYPEOF(missing)
