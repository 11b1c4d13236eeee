TALK NVL("", "guest")
TALK IFNULL(missing, 0)
TALK COALESCE(missing, "", "third")
TALK NVL("Ana", "guest")
TALK NVL(0, 5)
TALK "[" + COALESCE(missing, "") + "]"
