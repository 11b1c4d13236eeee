t = TRUE
f = false
TALK t
TALK f
TALK NOT t
TALK t AND f
TALK t OR f
TALK 1 = 1
TALK 2 < 1
TALK "Flag: " + t
IF t THEN TALK "t is true"
IF NOT f THEN TALK "f is false"
TALK TYPEOF(t)
TALK t = "true"
