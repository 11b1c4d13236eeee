FOR EACH c IN ["a", "b", "c", "z", 3]
  SWITCH c
    CASE "a"
      TALK c + " -> first"
    CASE "b", "c"
      TALK c + " -> second or third"
    CASE "3"
      TALK c + " -> three as text"
    DEFAULT
      TALK c + " -> default"
  END SWITCH
NEXT
