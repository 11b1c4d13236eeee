TALK Square(4)
CALL Greet("Ana")
Greet("Rui")
total = AddUp(2, 3) + 1
TALK total
TALK Fact(5)
r = NoReturn()
TALK "[" + r + "]"
TALK Outer(3)
counter = 5
CALL ShowCounter
TALK "main counter " + counter
CALL Optional("only one")

FUNCTION Square(n)
  RETURN n * n
END FUNCTION

SUB Greet(name)
  TALK "Hello, " + name
END SUB

FUNCTION AddUp(a, b)
  RETURN a + b
END FUNCTION

FUNCTION Fact(n)
  IF n <= 1 THEN RETURN 1
  RETURN n * Fact(n - 1)
END FUNCTION

FUNCTION NoReturn()
  x = 1
END FUNCTION

FUNCTION Outer(n)
  RETURN Square(n) + 1
END FUNCTION

SUB ShowCounter
  TALK "sub sees " + counter
  counter = 99
  TALK "sub local " + counter
END SUB

SUB Optional(a, b)
  TALK a + " [" + b + "]"
  RETURN
  TALK "not printed"
END SUB
