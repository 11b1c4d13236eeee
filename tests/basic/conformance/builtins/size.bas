TALK SIZE([1, 2])
TALK SIZE(#{ a: 1, b: 2, c: 3 })
TALK SIZE("")
TALK SIZE([[1, 2]])
