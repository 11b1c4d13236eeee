x = 1
x = x + 1
TALK x
a = [1, 2]
b = a
PUSH b, 3
TALK a
TALK b
m = #{ k: 1 }
n = m
n.k = 2
TALK m.k
TALK n.k
