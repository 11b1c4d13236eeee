TALK HEAD([1, 2, 3], 2)
TALK HEAD([7, 8])
TALK "[" + HEAD([]) + "]"
