i = 0
WHILE i < 3
  TALK "i=" + i
  i = i + 1
WEND
WHILE FALSE
  TALK "never"
WEND
n = 10
WHILE n > 0
  n = n - 4
WEND
TALK n
