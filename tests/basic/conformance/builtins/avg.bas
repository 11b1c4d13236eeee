TALK AVG([2, 4, 9])
TALK AVERAGE([1, 2])
TALK AVG([])
TALK AVG([#{ p: 2 }, #{ p: 4 }], "p")
