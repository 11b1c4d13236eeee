TALK UBOUND([10, 20, 30])
TALK UBOUND([])
list = ["a", "b", "c"]
j = 0
DO WHILE j < UBOUND(list)
  TALK list[j]
  j = j + 1
LOOP
TALK "Total: " + UBOUND(list)
