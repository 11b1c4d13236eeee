list = [1, 2,
        3, 4]
TALK list
m = #{ a: 1,
       b: 2 }
TALK m
TALK JOIN(["x", "y"],
  "-")
x = MAX(3,
  9)
TALK x
people = [
  #{ name: "Ana" },
  #{ name: "Rui" }
]
TALK people[1].name
