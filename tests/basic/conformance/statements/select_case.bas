FOR EACH v IN [1, 2, "2", 7, 10, 15, "x", 0]
  SELECT CASE v
    CASE 1, 2
      TALK v + ": one or two"
    CASE 5 TO 10
      TALK v + ": five to ten"
    CASE IS > 10
      TALK v + ": above ten"
    CASE "x"
      TALK v + ": the letter"
    CASE ELSE
      TALK v + ": something else"
  END SELECT
NEXT
SELECT CASE "b"
  CASE "a": TALK "inline a"
  CASE "b": TALK "inline b"
END SELECT
SELECT CASE 99
  CASE 1
    TALK "no"
END SELECT
TALK "no case matched, no CASE ELSE"
