FOR EACH fruit IN ["apple", "pear"]
  TALK fruit
NEXT
FOR EACH n IN [1, 2, 3]
  TALK n * 10
NEXT n
total = 0
FOR EACH row IN [#{ v: 1 }, #{ v: 2 }]
  total = total + row.v
NEXT row
TALK total
FOR EACH x IN []
  TALK "never"
NEXT
FOR EACH a IN [1, 2]
  FOR EACH b IN ["x", "y"]
    TALK a + b
  NEXT b
NEXT a
count = 0
FOR EACH ch IN SPLIT("a,b,c", ",")
  count = count + 1
NEXT
TALK count
