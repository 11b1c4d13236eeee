name = "Ana"
items = [1, 2]
BEGIN TALK
Hello ${name}!

You have ${LEN(items)} items, total ${items[0] + items[1]}.
' this comment line is part of the text
  an indented line
END TALK
TALK "after"
