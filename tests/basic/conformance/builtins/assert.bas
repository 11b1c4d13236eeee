TALK ASSERT(1 < 2, "math works")
ON ERROR RESUME NEXT
ok = ASSERT(1 > 2, "one is not bigger")
TALK ERR_DESCRIPTION
TALK "[" + ok + "]"
