r = RANDOM()
TALK r >= 0 AND r < 1
TALK TYPEOF(r)
d = RANDOM(1, 6)
TALK d >= 1 AND d <= 6
TALK TYPEOF(d)
TALK RND(5, 5)
n = RANDOM(3)
TALK n >= 0 AND n <= 2
ok = TRUE
seen = []
FOR i = 1 TO 300
  x = RND(1, 3)
  IF x < 1 OR x > 3 THEN ok = FALSE
  IF NOT CONTAINS(seen, x) THEN PUSH seen, x
NEXT
TALK ok
TALK SORT(seen)
TALK RND() < 1
