m = #{ name: "Ana", age: 30 }
TALK m.name
TALK m["age"]
m.city = "Lisbon"
m["zip"] = "1000"
TALK m
o = {}
o.count = 1
TALK o
p = { "quoted key": 1, plain: [1, 2] }
TALK p["quoted key"]
TALK p.plain[1]
n = NEW OBJECT
n.title = "x"
TALK n.title
TALK TYPEOF(n)
TALK "[" + m.missing + "]"
TALK LEN(m)
